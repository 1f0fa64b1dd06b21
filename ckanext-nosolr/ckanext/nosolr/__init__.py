"""ckanext-nosolr: CKAN without Solr, for development and tests only.

Production portals run Solr; see README.md and ``plugin.py``.
"""
