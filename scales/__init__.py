"""Built-in scale definitions: one YAML file a scale (data only; see instrument/schema.py)."""
