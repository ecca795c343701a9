"""Marshmallow schemas, per entity."""
