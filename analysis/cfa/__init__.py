"""The CFA engine: lavaan syntax -> parameter table -> model matrices -> estimation -> fit."""
