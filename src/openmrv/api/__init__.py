"""REST API and application services: auth, tenancy, uploads, runs, verification."""
