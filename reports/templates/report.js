/* Report behaviour, inlined into report.html: filters, search, expand/collapse. No network, no storage. */
(function () {
  "use strict";
  var table = document.getElementById("rules");
  if (!table) { return; }
  var rules = Array.prototype.slice.call(table.querySelectorAll("tbody.rule"));
  var statusBoxes = Array.prototype.slice.call(document.querySelectorAll("#filters input[name=status]"));
  var area = document.getElementById("f-area");
  var severity = document.getElementById("f-severity");
  var search = document.getElementById("f-search");
  var counter = document.getElementById("shown-count");
  var noMatch = document.getElementById("no-match");

  function apply() {
    var wanted = {};
    statusBoxes.forEach(function (box) { if (box.checked) { wanted[box.value] = true; } });
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    rules.forEach(function (rule) {
      var text = rule.getAttribute("data-search");
      var ok = wanted[rule.getAttribute("data-status")] === true &&
        (!area.value || rule.getAttribute("data-area") === area.value) &&
        (!severity.value || rule.getAttribute("data-severity") === severity.value) &&
        words.every(function (word) { return text.indexOf(word) !== -1; });
      rule.hidden = !ok;
      if (ok) { shown += 1; }
    });
    var template = counter.getAttribute("data-template") || "{shown} of {total} rules shown";
    counter.textContent = template.replace("{shown}", shown).replace("{total}", rules.length);
    noMatch.hidden = shown !== 0;
  }

  // Bring the highlighted field into view inside each scrollable body.
  function revealMarks(rule) {
    Array.prototype.forEach.call(rule.querySelectorAll("pre.body"), function (pre) {
      var mark = pre.querySelector("mark");
      if (mark) { pre.scrollTop = Math.max(0, mark.offsetTop - pre.offsetTop - 48); }
    });
  }

  function setOpen(rule, open) {
    rule.classList.toggle("open", open);
    var button = rule.querySelector("button.toggle");
    if (button) { button.setAttribute("aria-expanded", open ? "true" : "false"); }
    if (open) { revealMarks(rule); }
  }

  table.addEventListener("click", function (event) {
    var row = event.target.closest("tr.summary");
    if (!row || event.target.closest("a")) { return; }
    var rule = row.parentNode;
    setOpen(rule, !rule.classList.contains("open"));
  });

  document.getElementById("expand-all").addEventListener("click", function () {
    rules.forEach(function (rule) { if (!rule.hidden) { setOpen(rule, true); } });
  });
  document.getElementById("collapse-all").addEventListener("click", function () {
    rules.forEach(function (rule) { setOpen(rule, false); });
  });
  document.getElementById("reset-filters").addEventListener("click", function () {
    statusBoxes.forEach(function (box) { box.checked = true; });
    area.value = ""; severity.value = ""; search.value = "";
    apply();
  });

  // A matrix cell filters the rule table to that area (and status).
  Array.prototype.forEach.call(document.querySelectorAll("a.mx"), function (link) {
    link.addEventListener("click", function () {
      area.value = link.getAttribute("data-area") || "";
      var status = link.getAttribute("data-status");
      statusBoxes.forEach(function (box) { box.checked = !status || box.value === status; });
      apply();
    });
  });

  statusBoxes.forEach(function (box) { box.addEventListener("change", apply); });
  area.addEventListener("change", apply);
  severity.addEventListener("change", apply);
  search.addEventListener("input", apply);
  document.addEventListener("conformance-lang", apply);  // the language switch re-words the counter

  rules.forEach(function (rule) { if (rule.classList.contains("open")) { revealMarks(rule); } });
  apply();
}());
