"""Everything that talks to Elasticsearch. The only package that imports ``elasticsearch``."""
