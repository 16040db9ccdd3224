import EventCalendar

/// eventd's import planning is `ImportPlanner` (EventCalendar), so that the tests and the
/// fuzzer run exactly what `POST /v1/import` does.
typealias Importer = ImportPlanner
