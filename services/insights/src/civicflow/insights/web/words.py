"""The insights pages' words, German and English (German the default, as the citizens' pages have it)."""

from typing import Final, Literal

Language = Literal["de", "en"]
LANGUAGES: Final = ("de", "en")


def _w(de: str, en: str) -> dict[Language, str]:
    return {"de": de, "en": en}


_WORDS: Final = {
    "insights_title": _w("Erfahrungen mit dem Antrag", "Insights into the service"),
    "performance_title": _w("So läuft dieser Antrag", "How this service performs"),
    "service": _w("Verwaltungsleistung", "Service"),
    "period": _w("Zeitraum", "Period"),
    "from": _w("von", "from"),
    "to": _w("bis", "to"),
    "agency": _w("Behörde (Kennung, leer: alle)", "Agency (id, empty: all)"),
    "show": _w("Anzeigen", "Show"),
    "all_agencies": _w("alle Behörden", "all agencies"),
    "export": _w("Herunterladen", "Download"),
    "export_csv": _w("als CSV (eine Zeile je Tag und Kennzahl)", "as CSV (one row per day and figure)"),
    "export_json": _w("als JSON", "as JSON"),
    "figures": _w("Auf einen Blick", "At a glance"),
    "volume": _w("Anträge eingegangen", "Applications received"),
    "completion_rate": _w("Abschlussquote (abgeschickt von begonnen)", "Completion rate (submitted of started)"),
    "median_decision": _w("Median bis zur Entscheidung", "Median time to decision"),
    "p90_decision": _w("90 % entschieden binnen", "90 % decided within"),
    "over_target": _w("Offen länger als das Ziel von {days} Tagen", "Open longer than the target of {days} days"),
    "satisfaction": _w("Zufriedenheit", "Satisfaction"),
    "ratings_count": _w("{count} Bewertungen", "{count} ratings"),
    "commented": _w("davon mit Kommentar", "of them with a comment"),
    "no_figure": _w("noch nicht gemessen", "not measured yet"),
    "at_most": _w("höchstens {duration}", "at most {duration}"),
    "funnel": _w("Vom Aufruf zur Entscheidung", "From first visit to decision"),
    "funnel_desc": _w(
        "Wie viele jeden Schritt erreicht haben, und wie viele davor aufgehört haben.",
        "How many reached each step, and how many stopped before it.",
    ),
    "dropped_out": _w("hörten auf", "stopped"),
    "error_fields": _w("Wo es hakt: Felder mit den meisten Fehlern", "Where people stumble: fields with most errors"),
    "error_fields_desc": _w("Fehlermeldungen je Feld des Formulars.", "Error messages per field of the form."),
    "durations": _w("Wie lange bis zur Entscheidung", "How long until the decision"),
    "durations_desc": _w(
        "Anträge je Dauer vom Eingang bis zur Entscheidung der Behörde.",
        "Applications by time from receipt to the agency's decision.",
    ),
    "route_durations": _w("Wie lange bis zur zuständigen Behörde", "How long until the responsible agency has it"),
    "route_durations_desc": _w(
        "Anträge je Dauer vom Eingang bis zur Weitergabe an die Behörde.",
        "Applications by time from receipt to delivery to the agency.",
    ),
    "rejections": _w("Abgelehnt, und warum", "Rejected, and why"),
    "rejections_desc": _w(
        "Ablehnungen je Stelle und Grund (Identität, Zuständigkeit, Behörde).",
        "Rejections by who stopped the application and why (identity, routing, agency).",
    ),
    "other_outcomes": _w("Weitere Ausgänge", "Other outcomes"),
    "accepted": _w("bewilligt", "accepted"),
    "clarification_requests": _w("Rückfragen zum Wohnort", "Questions about the municipality"),
    "information_requests": _w("Nachforderungen der Behörde", "Requests for information by the agency"),
    "abandoned": _w("abgebrochen", "abandoned"),
    "satisfaction_desc": _w(
        "Bewertungen von 1 (sehr schlecht) bis 5 (sehr gut) nach Abschluss des Antrags.",
        "Ratings from 1 (very poor) to 5 (very good) after the application was closed.",
    ),
    "mean": _w("Mittel", "Mean"),
    "no_data": _w("Noch keine Daten in diesem Zeitraum.", "No data in this period yet."),
    "performance_intro": _w(
        "Diese Zahlen veröffentlichen wir, damit Sie sehen, wie gut der Antrag funktioniert. Sie enthalten keine "
        "personenbezogenen Daten.",
        "We publish these figures so that you can see how well this service works. They hold no personal data.",
    ),
    "no_personal_data": _w(
        "Nur Zählwerte je Tag: keine Namen, Adressen oder Anträge.",
        "Counts per day only: no names, addresses or applications.",
    ),
    "step_service_viewed": _w("Seite aufgerufen", "Service page viewed"),
    "step_form_started": _w("Formular begonnen", "Form started"),
    "step_summary_reached": _w("Zusammenfassung erreicht", "Summary reached"),
    "step_submitted": _w("Abgeschickt (Seite)", "Submitted (page)"),
    "step_received": _w("Eingegangen (alle Wege)", "Received (every channel)"),
    "step_verified": _w("Identität bestätigt", "Identity verified"),
    "step_routed": _w("An die Behörde gegeben", "Handed to the agency"),
    "step_decided": _w("Entschieden", "Decided"),
    "by_identity": _w("Identität", "Identity"),
    "by_routing": _w("Zuständigkeit", "Routing"),
    "by_agency": _w("Behörde", "Agency"),
    "minutes": _w("{n} Min.", "{n} min"),
    "hours": _w("{n} Std.", "{n} h"),
    "days": _w("{n} Tage", "{n} days"),
    "day": _w("1 Tag", "1 day"),
    "longer": _w("länger", "longer"),
    "language_switch": _w("English", "Deutsch"),
    "trace_title": _w("Wo ist der Antrag?", "Where is the application?"),
    "trace_lead": _w(
        "Jeder Schritt jedes Dienstes für Antrag {id}", "Every step of every service for application {id}"
    ),
    "trace_desc": _w(
        "Die Schritte in der Reihenfolge, in der sie begannen, mit ihrer Dauer.",
        "The steps in the order they started, with how long each took.",
    ),
    "trace_missing": _w(
        "Für diesen Antrag ist keine Spur gespeichert (zu alt, oder nie aufgezeichnet).",
        "No trace of this application is kept (too old, or never recorded).",
    ),
    "trace_store_away": _w(
        "Der Spurenspeicher antwortet nicht; der Antrag selbst ist davon nicht betroffen.",
        "The trace store does not answer; the application itself is not affected.",
    ),
    "failed": _w("Fehler", "failed"),
    "col_service": _w("Dienst", "Service"),
    "col_step": _w("Schritt", "Step"),
    "col_start": _w("Beginn", "Start"),
    "col_duration": _w("Dauer", "Duration"),
    "col_error": _w("Fehler", "Error"),
}


def words(language: Language) -> dict[str, str]:
    return {name: text[language] for name, text in _WORDS.items()}
