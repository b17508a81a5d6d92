// Progressive enhancement: the pages work the same without it. When a citizen leaves a started form or its
// summary without sending it, this tells intake the "abandoned" step of the experience funnel: the service, the
// visit's random id and the language, never a value typed (README, "Experience events").
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-journey]");
  if (!forms.length || !navigator.sendBeacon) {
    return;
  }
  var left = false;
  forms.forEach(function (form) {
    form.addEventListener("submit", function () {
      left = true;
    });
  });
  window.addEventListener("pagehide", function () {
    if (left) {
      return;
    }
    var form = forms[0];
    navigator.sendBeacon("/v1/experience", JSON.stringify({
      kind: "abandoned",
      service_id: form.dataset.service,
      journey_id: form.dataset.journey,
      language: document.documentElement.lang
    }));
  });
}());
