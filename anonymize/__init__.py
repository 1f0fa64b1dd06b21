"""Desensitization of tabular personal data: masking, pseudonyms, generalization, detection, leak scan, risk.

Knows nothing of CKAN, files or YAML: a pandas DataFrame and a policy go in, a DataFrame and an audit come out.
"""
