"""Reading manifests: files and folders of YAML and JSON documents, with line numbers."""
