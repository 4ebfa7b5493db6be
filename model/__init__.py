"""yakkan.model"""
