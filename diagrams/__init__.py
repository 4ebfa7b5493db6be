"""yakkan.diagrams"""
