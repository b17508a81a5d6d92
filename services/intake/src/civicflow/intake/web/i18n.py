"""The pages' own words in German and English (the services' words are in the catalogue)."""

from civicflow.intake.domain.messages import Language
from civicflow.shared.reasons import REASONS

TEXTS: dict[str, dict[Language, str]] = {
    "site": {"de": "CivicFlow: Anträge online", "en": "CivicFlow: applications online"},
    "services": {"de": "Leistungen", "en": "Services"},
    "services_intro": {
        "de": "Diese Anträge können Sie hier online stellen, rund um die Uhr.",
        "en": "You can file these applications here online, around the clock.",
    },
    "level": {"de": "Nachweis der Identität", "en": "Proof of identity"},
    "level_none": {"de": "nicht nötig", "en": "not needed"},
    "level_low": {"de": "einfach (Benutzerkonto)", "en": "basic (user account)"},
    "level_substantial": {"de": "substanziell (z. B. Online-Ausweis)", "en": "substantial (e.g. online ID card)"},
    "level_high": {"de": "hoch (Online-Ausweis)", "en": "high (online ID card)"},
    "authority": {"de": "Zuständig", "en": "Responsible"},
    "authority_municipality": {"de": "Ihre Stadt oder Gemeinde", "en": "your town or municipality"},
    "authority_district": {"de": "Ihr Kreis", "en": "your district"},
    "authority_state": {"de": "Ihr Land", "en": "your federal state"},
    "authority_federal": {"de": "der Bund", "en": "the federal government"},
    "attachments": {"de": "Nachweise", "en": "Documents"},
    "attachments_none": {"de": "keine", "en": "none"},
    "attached_files": {"de": "Bereits beigefügt:", "en": "Already attached:"},
    "untick_to_remove": {
        "de": "Entfernen Sie den Haken, um eine Datei nicht mitzusenden.",
        "en": "Untick a file to leave it out.",
    },
    "attachments_rule": {
        "de": "bis zu {count} Dateien (PDF, PNG oder JPEG), je höchstens {megabytes} MB",
        "en": "up to {count} files (PDF, PNG or JPEG), at most {megabytes} MB each",
    },
    "fields": {"de": "Das werden Sie gefragt", "en": "What you will be asked"},
    "optional": {"de": "freiwillig", "en": "optional"},
    "other_language": {"de": "English", "en": "Deutsch"},
    "back": {"de": "Alle Leistungen", "en": "All services"},
    "back_to_service": {"de": "Zurück zur Leistung", "en": "Back to the service"},
    "start": {"de": "Antrag jetzt stellen", "en": "Start your application"},
    "sign_in_needed": {
        "de": "Für diesen Antrag müssen Sie sich ausweisen, Nachweis der Identität: {level}.",
        "en": "For this application you need to prove who you are, proof of identity: {level}.",
    },
    "sign_in_why": {
        "de": "Melden Sie sich dazu an, zum Beispiel mit dem Online-Ausweis. Ihr Name und Ihr Geburtsdatum werden "
        "dabei bestätigt und in den Antrag übernommen; Sie müssen sie nicht eintippen.",
        "en": "Sign in for it, for example with the online ID card. Your name and date of birth are confirmed "
        "there and filled in for you; you do not type them.",
    },
    "sign_in": {"de": "Anmelden", "en": "Sign in"},
    "sign_in_with": {"de": "Anmelden mit {provider}", "en": "Sign in with {provider}"},
    "sign_in_again": {"de": "Mit stärkerem Nachweis anmelden", "en": "Sign in with a stronger proof"},
    "step_up": {
        "de": "Sie sind angemeldet mit dem Nachweis „{level}“. Diese Leistung verlangt „{needed}“: Melden Sie sich "
        "bitte noch einmal an, mit einem stärkeren Nachweis wie dem Online-Ausweis.",
        "en": "You signed in with the proof \u201c{level}\u201d. This service needs \u201c{needed}\u201d: "
        "please sign in again with a stronger proof such as the online ID card.",
    },
    "signed_in_as": {
        "de": "Sie sind angemeldet, Nachweis der Identität: {level}. Ihre bestätigten Angaben sind schon eingetragen.",
        "en": "You are signed in, proof of identity: {level}. Your confirmed details are filled in.",
    },
    "verified": {"de": "bestätigt", "en": "confirmed"},
    "your_details": {"de": "Ihre Angaben", "en": "Your details"},
    "your_application": {"de": "Ihr Antrag", "en": "Your application"},
    "continue": {"de": "Weiter", "en": "Continue"},
    "choose": {"de": "Bitte wählen", "en": "Please choose"},
    "error": {"de": "Fehler", "en": "Error"},
    "error_summary": {"de": "Bitte korrigieren Sie Folgendes", "en": "There is a problem"},
    "check_answers": {"de": "Prüfen Sie Ihre Angaben", "en": "Check your answers"},
    "change_answers": {"de": "Angaben ändern", "en": "Change your answers"},
    "now_send": {"de": "Antrag absenden", "en": "Now send your application"},
    "declaration": {
        "de": "Mit dem Absenden bestätigen Sie, dass Ihre Angaben richtig und vollständig sind.",
        "en": "By sending this application you confirm that your answers are correct and complete.",
    },
    "send": {"de": "Antrag verbindlich absenden", "en": "Send application"},
    "sent_title": {"de": "Antrag gesendet", "en": "Application sent"},
    "status_title": {"de": "Stand Ihres Antrags", "en": "Your application's status"},
    "your_number": {"de": "Ihre Vorgangsnummer:", "en": "Your reference number:"},
    "keep_link": {
        "de": "Speichern Sie die Adresse dieser Seite als Lesezeichen: Hier sehen Sie jederzeit, wie weit Ihr "
        "Antrag ist. Wir schreiben Ihnen außerdem bei jedem Schritt eine E-Mail.",
        "en": "Bookmark this page: it shows at any time how far your application has come. We also email you "
        "at every step.",
    },
    "what_happened": {"de": "Bisherige Schritte", "en": "What has happened so far"},
    "refresh": {"de": "Stand aktualisieren", "en": "Refresh the status"},
    "step_received": {"de": "Antrag eingegangen", "en": "Application received"},
    "step_verified": {"de": "Angaben geprüft", "en": "Details checked"},
    "step_rejected": {"de": "Identität nicht bestätigt", "en": "Identity not confirmed"},
    "step_routed": {
        "de": "An die zuständige Behörde weitergeleitet",
        "en": "Passed on to the responsible authority",
    },
    "step_unroutable": {
        "de": "Keine zuständige Behörde gefunden: wir melden uns bei Ihnen",
        "en": "No responsible authority found: we will contact you",
    },
    "step_clarification_needed": {
        "de": "Rückfrage: In welcher Gemeinde wohnen Sie?",
        "en": "Question: which municipality is your address in?",
    },
    "step_clarified": {"de": "Ihre Antwort auf die Rückfrage", "en": "Your answer to the question"},
    "step_delivered": {"de": "Bei der Behörde angekommen", "en": "Arrived at the authority"},
    "step_notified": {"de": "Nachricht an Sie", "en": "Message to you"},
    # A message's status (shared.events.NotificationStatus), as GOV.UK Notify's are explained to its users.
    "notice_created": {"de": "wird vorbereitet", "en": "being prepared"},
    "notice_sending": {"de": "an Ihren Anbieter übergeben", "en": "handed to your provider"},
    "notice_delivered": {"de": "zugestellt", "en": "delivered"},
    "notice_temporary-failure": {
        "de": "konnte noch nicht zugestellt werden; wir versuchen es später noch einmal",
        "en": "could not be delivered yet; we will try again later",
    },
    "notice_temporary-failure-final": {
        "de": "konnte nicht zugestellt werden; wir prüfen das",
        "en": "could not be delivered; we are looking into it",
    },
    "notice_permanent-failure": {
        "de": "konnte nicht zugestellt werden; bitte prüfen Sie Ihre Kontaktangaben",
        "en": "could not be delivered; please check your contact details",
    },
    "notice_technical-failure": {
        "de": "bei uns ist ein Fehler aufgetreten; wir prüfen das",
        "en": "something went wrong on our side; we are looking into it",
    },
    "step_decided": {"de": "Entscheidung der Behörde", "en": "The authority's decision"},
    "step_information_provided": {
        "de": "Ihre Antwort an die Behörde",
        "en": "Your answer to the authority",
    },
    # Why an application stopped, for every reason code (civicflow.shared.reasons).
    **{f"reason_{code}": text for code, text in REASONS.items()},
    "reason_other": {"de": "Näheres steht in unserer E-Mail an Sie.", "en": "Our email to you has the details."},
    # Routing's question (web.status, web.clarify): never the postal code or town typed, which the page does not show.
    "clarify_title": {"de": "Bitte beantworten Sie eine Rückfrage", "en": "Please answer a question"},
    "clarify_ambiguous_municipality": {
        "de": "Ihre Postleitzahl gehört zu mehreren Gemeinden, und der Ort in Ihrer Anschrift sagt nicht, zu "
        "welcher. Damit Ihr Antrag zur zuständigen Behörde kommt, sagen Sie uns bitte, in welcher Gemeinde Ihre "
        "Anschrift liegt.",
        "en": "Your postcode belongs to several municipalities, and the town in your address does not say which. "
        "So that your application reaches the responsible authority, please tell us which municipality your "
        "address is in.",
    },
    "clarify_postal_code_city_mismatch": {
        "de": "Die Postleitzahl und der Ort, die Sie angegeben haben, passen nicht zusammen. Damit Ihr Antrag zur "
        "zuständigen Behörde kommt, sagen Sie uns bitte, in welcher Gemeinde Ihre Anschrift liegt.",
        "en": "The postcode and the town you gave do not go together. So that your application reaches the "
        "responsible authority, please tell us which municipality your address is in.",
    },
    "clarify_question": {
        "de": "In welcher Gemeinde liegt Ihre Anschrift?",
        "en": "Which municipality is your address in?",
    },
    "clarify_choose": {"de": "Bitte wählen Sie eine Gemeinde.", "en": "Please choose a municipality."},
    "clarify_send": {"de": "Antwort senden", "en": "Send your answer"},
    "problem_clarified_already_title": {"de": "Bereits beantwortet", "en": "Already answered"},
    "problem_clarified_already": {
        "de": "Zu diesem Antrag gibt es keine offene Rückfrage mehr. Den Stand sehen Sie über Ihren Link.",
        "en": "This application has no open question any more. Your link shows its status.",
    },
    "problem_clarification_expired_title": {"de": "Sitzung abgelaufen", "en": "Your session has expired"},
    "problem_clarification_expired": {
        "de": "Aus Sicherheitsgründen konnten wir Ihre Antwort nicht annehmen. Bitte öffnen Sie Ihren Link zum "
        "Stand des Antrags noch einmal und antworten Sie dort; dafür muss Ihr Browser Cookies dieser Seite erlauben.",
        "en": "For your security we could not take your answer. Please open your status link again and answer "
        "there; your browser needs to allow this site's cookies.",
    },
    "problem_clarification_unavailable_title": {"de": "Gerade nicht möglich", "en": "Not possible right now"},
    "problem_clarification_unavailable": {
        "de": "Ihre Antwort konnte gerade nicht weitergegeben werden. Bitte versuchen Sie es in einer Minute noch "
        "einmal; sie wird nur einmal übernommen.",
        "en": "Your answer could not be passed on just now. Please try again in a minute; it is taken only once.",
    },
    # The agency's decision in plain words, by its outcome (shared.events.agency.Outcome), with the agency's own words
    # shown as text; its request for information and the citizen's answer (web.status, web.inform).
    "decision_accepted": {"de": "Ihr Antrag wurde bewilligt", "en": "Your application was accepted"},
    "decision_rejected": {"de": "Ihr Antrag wurde abgelehnt", "en": "Your application was rejected"},
    "decision_information_requested": {
        "de": "Die Behörde braucht weitere Angaben von Ihnen",
        "en": "The authority needs more information from you",
    },
    "decision_reason": {"de": "Die Behörde schreibt dazu:", "en": "The authority writes:"},
    "letter_forgotten": {
        "de": "Den Wortlaut bewahren wir nach Abschluss nicht auf; Sie haben ihn mit unserer Nachricht erhalten.",
        "en": "We do not keep the wording once the case is closed; it was in the message you received.",
    },
    "inform_label": {"de": "Ihre Antwort an die Behörde", "en": "Your answer to the authority"},
    "inform_hint": {
        "de": "Schreiben Sie, was die Behörde wissen möchte, als Text mit höchstens 2.000 Zeichen.",
        "en": "Write what the authority would like to know, as text of at most 2,000 characters.",
    },
    "inform_send": {"de": "Antwort senden", "en": "Send your answer"},
    "inform_sent": {"de": "Ihre Antwort, wie Sie sie gesendet haben:", "en": "Your answer, as you sent it:"},
    "inform_passed_on": {
        "de": "Wir haben Ihre Antwort an die Behörde weitergegeben. Hier sehen Sie, sobald sie entschieden hat.",
        "en": "We have passed your answer on to the authority. This page shows when it has decided.",
    },
    "problem_informed_already_title": {"de": "Keine offene Rückfrage", "en": "No open request"},
    "problem_informed_already": {
        "de": "Die Behörde fragt zu diesem Antrag gerade nichts. Den Stand sehen Sie über Ihren Link.",
        "en": "The authority asks nothing about this application now. Your link shows its status.",
    },
    # The citizen's rating once the agency decided (web.rating): a click on a score sends it, with the comment.
    "rating_title": {"de": "Wie zufrieden sind Sie?", "en": "How satisfied are you?"},
    "rating_intro": {
        "de": "Die Behörde hat über Ihren Antrag entschieden. Sagen Sie uns bitte, wie zufrieden Sie mit dem Weg "
        "Ihres Antrags sind: Ihre Bewertung hilft, diesen Dienst besser zu machen. Ausgewertet wird sie ohne Ihren "
        "Namen und ohne Bezug zu Ihrem Antrag.",
        "en": "The authority has decided on your application. Please tell us how satisfied you are with how it "
        "went: your rating helps us make this service better. It is evaluated without your name and without "
        "reference to your application.",
    },
    "rating_comment_label": {
        "de": "Möchten Sie uns noch etwas sagen? (freiwillig)",
        "en": "Is there anything else you would like to tell us? (optional)",
    },
    "rating_comment_hint": {
        "de": "Höchstens 1.000 Zeichen. Ihr Kommentar bleibt bei uns und wird nicht weitergegeben; bitte schreiben "
        "Sie keine persönlichen Angaben hinein.",
        "en": "At most 1,000 characters. Your comment stays with us and is not passed on; please do not put "
        "personal details in it.",
    },
    "rating_question": {"de": "Ihre Bewertung", "en": "Your rating"},
    "rating_scale_hint": {
        "de": "Ein Klick auf eine Bewertung sendet sie, mit Ihrem Kommentar.",
        "en": "One click on a rating sends it, with your comment.",
    },
    "rating_score_1": {"de": "1 \u2013 sehr unzufrieden", "en": "1 \u2013 very dissatisfied"},
    "rating_score_2": {"de": "2 \u2013 unzufrieden", "en": "2 \u2013 dissatisfied"},
    "rating_score_3": {"de": "3 \u2013 teils, teils", "en": "3 \u2013 neither satisfied nor dissatisfied"},
    "rating_score_4": {"de": "4 \u2013 zufrieden", "en": "4 \u2013 satisfied"},
    "rating_score_5": {"de": "5 \u2013 sehr zufrieden", "en": "5 \u2013 very satisfied"},
    "rating_preselected": {
        "de": "In unserer Nachricht haben Sie „{score}“ gewählt. Bitte senden Sie Ihre Bewertung hier, mit "
        "einem Klick.",
        "en": "In our message you chose \u201c{score}\u201d. Please send your rating here with one click.",
    },
    "rating_not_yet": {
        "de": "Sie können Ihren Antrag bewerten, sobald die Behörde über ihn entschieden hat.",
        "en": "You can rate your application once the authority has decided on it.",
    },
    "rating_thanks": {"de": "Vielen Dank für Ihre Bewertung!", "en": "Thank you for your rating!"},
    "rating_already": {
        "de": "Sie haben diesen Antrag bereits bewertet. Vielen Dank!",
        "en": "You have rated this application already. Thank you!",
    },
    "rating_given": {"de": "Ihre Bewertung: {score}", "en": "Your rating: {score}"},
    "rating_choose": {
        "de": "Bitte wählen Sie eine Bewertung von 1 bis 5.",
        "en": "Please choose a rating from 1 to 5.",
    },
    "rating_comment_too_long": {
        "de": "Ihr Kommentar ist zu lang: Er darf höchstens 1.000 Zeichen haben.",
        "en": "Your comment is too long: it can have at most 1,000 characters.",
    },
    "rating_comment_invalid": {
        "de": "Bitte verwenden Sie in Ihrem Kommentar nur sichtbare Zeichen.",
        "en": "Please use visible characters only in your comment.",
    },
    "rating_link": {"de": "Bewerten Sie Ihren Antrag", "en": "Rate your application"},
    "back_to_status": {"de": "Zum Stand Ihres Antrags", "en": "Your application's status"},
    "problem_rating_unavailable_title": {"de": "Gerade nicht möglich", "en": "Not possible right now"},
    "problem_rating_unavailable": {
        "de": "Ihre Bewertung konnte gerade nicht gespeichert werden; es wurde nichts übernommen. Bitte versuchen "
        "Sie es in einer Minute noch einmal.",
        "en": "Your rating could not be stored just now; nothing was kept. Please try again in a minute.",
    },
    "problem_sign_in_failed_title": {"de": "Anmeldung fehlgeschlagen", "en": "Sign-in failed"},
    "problem_sign_in_failed": {
        "de": "Die Anmeldung konnte nicht abgeschlossen werden oder war zu alt. Bitte melden Sie sich noch einmal an.",
        "en": "The sign-in could not be completed or was too old. Please sign in again.",
    },
    "problem_sign_in_unavailable_title": {"de": "Anmeldung gerade nicht möglich", "en": "Sign-in not possible now"},
    "problem_sign_in_unavailable": {
        "de": "Der Anmeldedienst ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen Minuten noch einmal.",
        "en": "The sign-in service cannot be reached right now. Please try again in a few minutes.",
    },
    "problem_not_found_title": {"de": "Seite nicht gefunden", "en": "Page not found"},
    "problem_not_found": {
        "de": "Diese Seite gibt es nicht, oder der Link ist unvollständig. Prüfen Sie die Adresse.",
        "en": "This page does not exist, or the link is incomplete. Check the address.",
    },
    "problem_expired_title": {"de": "Sitzung abgelaufen", "en": "Your session has expired"},
    "problem_expired": {
        "de": "Aus Sicherheitsgründen konnten wir Ihre Angaben nicht annehmen. Bitte beginnen Sie den Antrag neu; "
        "dafür muss Ihr Browser Cookies dieser Seite erlauben.",
        "en": "For your security we could not accept your answers. Please start the application again; your "
        "browser needs to allow this site's cookies.",
    },
    "problem_resubmitted_title": {"de": "Antrag bereits gesendet", "en": "Application already sent"},
    "problem_resubmitted": {
        "de": "Diese Seite wurde mit anderen Angaben schon einmal gesendet. Beginnen Sie einen neuen Antrag.",
        "en": "This page was already sent with other answers. Start a new application.",
    },
    "problem_unavailable_title": {"de": "Gerade nicht möglich", "en": "Not possible right now"},
    "problem_unavailable": {
        "de": "Ihr Antrag konnte gerade nicht gespeichert werden; es wurde nichts übernommen. Bitte versuchen "
        "Sie es in einer Minute noch einmal.",
        "en": "Your application could not be stored just now; nothing was kept. Please try again in a minute.",
    },
    "problem_too_large_title": {"de": "Zu große Dateien", "en": "Files too large"},
    "problem_too_large": {
        "de": "Die gesendeten Daten sind zu groß. Senden Sie kleinere Dateien.",
        "en": "What was sent is too large. Send smaller files.",
    },
    "problem_timeout_title": {"de": "Zeit überschritten", "en": "Timed out"},
    "problem_timeout": {
        "de": "Das Senden hat zu lange gedauert. Bitte versuchen Sie es noch einmal.",
        "en": "Sending took too long. Please try again.",
    },
    "problem_malformed_title": {"de": "Ungültige Anfrage", "en": "Invalid request"},
    "problem_malformed": {
        "de": "Die gesendeten Daten konnten nicht gelesen werden. Bitte beginnen Sie neu.",
        "en": "What was sent could not be read. Please start again.",
    },
    "problem_unsupported_media_type_title": {"de": "Ungültige Anfrage", "en": "Invalid request"},
    "problem_unsupported_media_type": {
        "de": "Bitte senden Sie das Formular dieser Seite.",
        "en": "Please send this page's form.",
    },
    # The once-only profile: the consent on the form, the prefilled values, the profile page (web.profile).
    "keep_profile": {
        "de": "Meine bestätigten Angaben, meine Anschrift und meine Kontaktwünsche als mein Profil speichern, damit "
        "ich sie nicht noch einmal eintippen muss.",
        "en": "Keep my confirmed details, my address and my contact preferences as my profile, so that I need not "
        "type them again.",
    },
    "keep_profile_hint": {
        "de": "Freiwillig. Sie können Ihr Profil jederzeit ansehen und löschen:",
        "en": "Optional. You can see and erase your profile at any time:",
    },
    "profile_link": {"de": "Ihr Profil", "en": "your profile"},
    "keep_profile_short": {"de": "Als Profil speichern", "en": "Keep as my profile"},
    "yes": {"de": "Ja", "en": "Yes"},
    "no": {"de": "Nein", "en": "No"},
    "prefilled_from_application": {
        "de": "Aus Ihrem Profil, angegeben in Ihrem Antrag vom {date}",
        "en": "From your profile, given in your application of {date}",
    },
    "prefilled_from_profile": {
        "de": "Aus Ihrem Profil, geändert am {date}",
        "en": "From your profile, changed on {date}",
    },
    "profile_title": {"de": "Ihr Profil", "en": "Your profile"},
    "profile_sign_in": {
        "de": "Melden Sie sich an, um Ihr Profil zu sehen, Ihre Kontaktwünsche zu ändern oder das Profil zu löschen.",
        "en": "Sign in to see your profile, change your contact preferences or erase your profile.",
    },
    "profile_intro": {
        "de": "Diese Angaben füllen wir in Ihre Anträge ein, damit Sie sie nicht noch einmal eintippen. Bei jeder "
        "Angabe steht, woher sie kommt.",
        "en": "We fill these details into your applications so that you need not type them again. Each one says "
        "where it came from.",
    },
    "profile_values": {"de": "Gespeicherte Angaben", "en": "What we keep"},
    "profile_none": {"de": "Sie haben kein Profil.", "en": "You have no profile."},
    "profile_how": {
        "de": "Wenn Sie angemeldet einen Antrag stellen, können Sie ankreuzen, dass Ihre bestätigten Angaben, Ihre "
        "Anschrift und Ihre Kontaktwünsche als Profil gespeichert werden. Dann sind sie im nächsten Antrag schon "
        "eingetragen.",
        "en": "When you file an application signed in, you can tick the box to keep your confirmed details, your "
        "address and your contact preferences as your profile. Your next application then has them filled in.",
    },
    "profile_saved": {
        "de": "Ihre Änderung ist gespeichert. Sie erscheint hier in wenigen Augenblicken.",
        "en": "Your change is saved. It shows here in a few moments.",
    },
    "source_verified": {"de": "bestätigt von {provider} am {time}", "en": "confirmed by {provider} on {time}"},
    "source_application": {"de": "angegeben in Ihrem Antrag vom {date}", "en": "given in your application of {date}"},
    "source_profile": {"de": "geändert auf dieser Seite am {date}", "en": "changed on this page on {date}"},
    "contact_title": {"de": "Kontaktwünsche", "en": "Contact preferences"},
    "contact_intro": {
        "de": "So erreichen wir Sie zu Ihren Anträgen.",
        "en": "This is how we reach you about your applications.",
    },
    "contact_email": {"de": "E-Mail-Adresse", "en": "Email address"},
    "contact_email_hint": {
        "de": "Gilt für Ihre nächsten Anträge.",
        "en": "For your next applications.",
    },
    "contact_language": {"de": "Sprache", "en": "Language"},
    "contact_channel": {"de": "Nachrichten bekommen per", "en": "Get messages by"},
    "channel_email": {"de": "E-Mail", "en": "Email"},
    "channel_sms": {"de": "SMS", "en": "Text message (SMS)"},
    "channel_webhook": {"de": "Postfach im Servicekonto", "en": "Mailbox of your citizen account"},
    "contact_phone": {"de": "Mobilnummer", "en": "Mobile number"},
    "contact_phone_hint": {
        "de": "Für SMS, international geschrieben, zum Beispiel +49 151 23456789.",
        "en": "For text messages, in international form, for example +49 151 23456789.",
    },
    "contact_mailbox": {"de": "Postfach-Kennung", "en": "Mailbox id"},
    "contact_mailbox_hint": {
        "de": "Für Nachrichten in Ihr Postfach, wie Ihr Servicekonto sie anzeigt.",
        "en": "For messages to your mailbox, as your citizen account shows it.",
    },
    "notified_by": {"de": "{channel}, wie in Ihrem Profil eingestellt", "en": "{channel}, as set in your profile"},
    "contact_save": {"de": "Kontaktwünsche speichern", "en": "Save contact preferences"},
    "own_submissions": {"de": "Ihre Anträge", "en": "Your applications"},
    "own_submissions_none": {
        "de": "Sie haben angemeldet noch keinen Antrag gestellt.",
        "en": "You have not filed an application signed in yet.",
    },
    "received_on": {"de": "Eingegangen am {date}", "en": "Received on {date}"},
    "erase_title": {"de": "Profil löschen", "en": "Erase your profile"},
    "erase_intro": {
        "de": "Sie können Ihr Profil jederzeit löschen. Ihre Anträge werden dadurch nicht zurückgenommen.",
        "en": "You can erase your profile at any time. Your applications are not withdrawn by it.",
    },
    "erase_button": {"de": "Mein Profil löschen", "en": "Erase my profile"},
    "erase_confirm_title": {"de": "Profil wirklich löschen?", "en": "Erase your profile?"},
    "erase_confirm": {
        "de": "Wir löschen Ihr Profil und Ihre persönlichen Angaben in Ihren Anträgen bei uns. Für Ihren nächsten "
        "Antrag tippen Sie Ihre Angaben wieder ein. Sie werden dabei abgemeldet.",
        "en": "We erase your profile and your personal details in your applications with us. For your next "
        "application you type your details again. You will be signed out.",
    },
    "erase_kept": {
        "de": "Was das Gesetz verlangt, bleibt: Ihre Anträge liegen bei den Behörden, die sie bekommen haben, nach "
        "deren Regeln für Akten. Bei uns bleiben nur die Vorgangsnummern und der Stand Ihrer Anträge, ohne Ihren "
        "Namen, Ihre Anschrift und Ihre Antworten.",
        "en": "What the law requires is kept: your applications stay with the authorities that received them, "
        "under their rules for keeping records. We keep only your applications' reference numbers and status, "
        "without your name, your address or your answers.",
    },
    "erase_now": {"de": "Ja, mein Profil löschen", "en": "Yes, erase my profile"},
    "erase_keep": {"de": "Nein, Profil behalten", "en": "No, keep my profile"},
    "erased_title": {"de": "Profil gelöscht", "en": "Profile erased"},
    "erased": {
        "de": "Ihr Profil ist gelöscht, und Sie sind abgemeldet.",
        "en": "Your profile is erased, and you are signed out.",
    },
    "problem_profile_unavailable_title": {"de": "Gerade nicht möglich", "en": "Not possible right now"},
    "problem_profile_unavailable": {
        "de": "Ihr Profil ist gerade nicht erreichbar; es wurde nichts geändert. Bitte versuchen Sie es in einer "
        "Minute noch einmal.",
        "en": "Your profile cannot be reached just now; nothing was changed. Please try again in a minute.",
    },
}


def words(language: Language) -> dict[str, str]:
    return {key: text[language] for key, text in TEXTS.items()}
