// Keyboard support for the place autocomplete: arrows move through the options, Enter opens one,
// Escape closes the list. htmx fills the list; this script only handles focus and ARIA state.
(function () {
  "use strict";

  function options(box) {
    return Array.prototype.slice.call(box.querySelectorAll('[role="option"] a'));
  }

  function setExpanded(input, box) {
    input.setAttribute("aria-expanded", options(box).length > 0 ? "true" : "false");
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var box = event.detail.target;
    if (!box.classList || !box.classList.contains("place-results")) return;
    var input = box.parentElement.querySelector('[role="combobox"]');
    if (input) setExpanded(input, box);
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var form = target.closest && target.closest(".place-search");
    if (!form) return;
    var box = form.querySelector(".place-results");
    var input = form.querySelector('[role="combobox"]');
    var links = options(box);
    if (event.key === "Escape") {
      box.innerHTML = "";
      setExpanded(input, box);
      input.focus();
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    if (!links.length) return;
    event.preventDefault();
    var index = links.indexOf(document.activeElement);
    if (event.key === "ArrowDown") index = index < links.length - 1 ? index + 1 : 0;
    else index = index > 0 ? index - 1 : links.length - 1;
    links[index].focus();
    input.setAttribute("aria-activedescendant", links[index].parentElement.id);
  });
})();
