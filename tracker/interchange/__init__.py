"""Formats in and out, one module per format with both directions side by side.

- ``history``: the treatment-history JSON format (``trd-history/1`` and ``1.1``): parse and dump,
  with ``json_reader`` collecting every problem by its JSON path;
- ``transfer``: a parsed history into the database and back out;
- ``fhir``: FHIR R4 (``fhir.export`` writes a patient's Bundle, with ``fhir.treatments`` for
  trials and courses; ``fhir.reader`` reads a Bundle);
- ``csv_export``: CSV files that open safely in a spreadsheet.
"""
