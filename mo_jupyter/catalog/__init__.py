"""Module and dataset catalogs (issue 4): specs now; catalogs, search and insertion next."""
