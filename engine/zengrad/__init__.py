"""zengrad"""
