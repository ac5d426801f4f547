"""Renderers: turn the core's results into Rich text, JSON, LaTeX and Markdown.

The only package that imports rich or plotext (plotext only in plot.py).
"""
