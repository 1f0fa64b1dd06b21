"""The ``nosolr`` plugin: runs CKAN 2.11/2.12 without Solr.

DEVELOPMENT AND TEST INFRASTRUCTURE ONLY.  Production portals run Solr.

CKAN has no setting that turns Solr off: every dataset write is indexed
before the database commit, and ``package_search`` (behind the dataset,
organization and group pages) asks Solr.  Loaded first in ``ckan.plugins``,
this plugin swaps CKAN's search hooks in ``ckan.lib.search`` for
:mod:`ckanext.nosolr.search`, which keeps no index and answers
``package_search`` from PostgreSQL.  ``solr_url`` must still be set (to a
port where nothing listens); it is never contacted.
"""
from __future__ import annotations

import logging
from typing import Optional

import ckan.lib.search as search
import ckan.plugins as plugins
from ckan.common import CKANConfig

from ckanext.nosolr.search import (
    NoSolrPackageSearchIndex, NoSolrPackageSearchQuery)

log = logging.getLogger(__name__)


def _search_is_available() -> bool:
    """The database is the search backend, so search is available."""
    return True


def _skip_solr_schema_check(schema_file: Optional[str] = None) -> bool:
    """There is no Solr schema to check; False means "does not apply"."""
    return False


def install() -> None:
    """Point every hook through which CKAN reaches Solr at nosolr.

    ``_INDICES``/``_QUERIES`` serve ``index_for``/``query_for``; the module
    attributes serve the DataStore and the bulk updates, which instantiate
    ``search.PackageSearchIndex``/``PackageSearchQuery`` directly.
    """
    search._INDICES["package"] = NoSolrPackageSearchIndex
    search._QUERIES["package"] = NoSolrPackageSearchQuery
    search.PackageSearchIndex = NoSolrPackageSearchIndex
    search.PackageSearchQuery = NoSolrPackageSearchQuery
    search.is_available = _search_is_available
    search.check_solr_schema_version = _skip_solr_schema_check


class NoSolrPlugin(plugins.SingletonPlugin):
    """Installs the hooks when CKAN configures its plugins.

    ``IConfigurer.update_config`` runs before CKAN checks the Solr schema
    and before any request or CLI command can index or search.
    """

    plugins.implements(plugins.IConfigurer)

    def update_config(self, config: CKANConfig) -> None:
        install()
        log.warning("nosolr: package search runs on PostgreSQL without "
                    "Solr (development and test use only)")
