"""yakkan.simulate"""
