"""Store: the dataset, the embedded GeoPackage, and import transactions (lock, diff, log)."""
