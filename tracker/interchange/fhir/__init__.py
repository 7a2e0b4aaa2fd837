"""FHIR R4: ``export`` writes a patient's Bundle, ``reader`` reads an EHR's Bundle as a history."""
