// The reader's time zone, as the browser knows it: kept in a cookie so that pages show event
// times in the reader's zone too, and filled into the "your time" lines the page could not fill
// itself (on the first visit the server does not know the zone yet).
(function () {
  "use strict";

  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone || !/^[A-Za-z0-9_+\-\/]+$/.test(zone)) return;

  var name = "citypeers_tz=";
  var current = document.cookie.split("; ").filter(function (c) {
    return c.indexOf(name) === 0;
  })[0];
  if (current !== name + zone) {
    var secure = window.location.protocol === "https:" ? "; secure" : "";
    document.cookie = name + zone + "; path=/; max-age=31536000; samesite=lax" + secure;
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[name='reader_tz']"), function (input) {
    input.value = zone;
  });

  var language = document.documentElement.lang || undefined;
  Array.prototype.forEach.call(document.querySelectorAll("[data-reader-time]"), function (line) {
    if (line.getAttribute("data-reader-zone") === zone) return; // the server showed it already
    if (line.getAttribute("data-event-zone") === zone) {
      line.hidden = true; // same zone as the event: nothing more to show
      return;
    }
    var start = new Date(line.getAttribute("data-start"));
    var end = new Date(line.getAttribute("data-end"));
    var format = new Intl.DateTimeFormat(language, {
      dateStyle: "medium",
      timeStyle: "short",
      timeZone: zone
    });
    var text = format.formatRange ? format.formatRange(start, end) : format.format(start) + " – " + format.format(end);
    line.querySelector(".when").textContent = text;
    line.querySelector(".zone").textContent = zone.replace(/_/g, " ");
    line.hidden = false;
  });
})();
