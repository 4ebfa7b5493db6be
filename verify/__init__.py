"""yakkan.verify"""
