/* moscale questionnaire script, inlined into the page. It makes no request of its own: answers
   leave the page only through the form's own submission (when the study has a submit_url) or as a
   CSV file the respondent downloads.

   What it does:
   - stamps `started` on load, `submitted` and `duration_s` on submission (ISO 8601, UTC, seconds);
   - draws a random `respondent_id` (16 hex digits from crypto.getRandomValues) when the study does
     not ask for one;
   - shuffles the statements of each randomised block and records the order shown in the hidden
     field `<block id>_order` (ids joined by ";"). Without JavaScript the definition order is shown
     and the hidden field already holds it.
     Seeding: one 32-bit number r is drawn per respondent (crypto.getRandomValues); the block's
     generator starts from fmix32(block_seed XOR fmix32(r)), where block_seed is the section's seed
     (or the study seed plus the section's index) and fmix32 is MurmurHash3's 32-bit finaliser. The
     generator is a Weyl sequence (step 0x9E3779B9) passed through fmix32; the shuffle is
     Fisher-Yates. Blocks of one respondent get different but related orders; the recorded order,
     not the seed, is the data;
   - soft-required questions: on submission, lists the unanswered ones (links that move focus to
     them) and offers to continue anyway; hard-required ones use the browser's own `required`
     check (a multiple-choice question through setCustomValidity);
   - without a submit_url, "Download my answers" writes one CSV row: the codebook's column names in
     the canonical order, codes not labels, empty cells for missing answers, RFC 4180 quoting. */
(function () {
  "use strict";

  var form = document.getElementById("ms-form");
  var configNode = document.getElementById("ms-config");
  if (!form || !configNode) {
    return;
  }
  var config = JSON.parse(configNode.textContent);
  var startedAt = new Date();
  var summary = document.getElementById("ms-unanswered");
  var statusNode = document.getElementById("ms-status");
  var closing = document.getElementById("ms-closing");
  var submitButton = document.getElementById("ms-submit");
  var softAccepted = false;

  function each(list, fn) {
    Array.prototype.forEach.call(list, fn);
  }

  function field(name) {
    return form.elements.namedItem(name);
  }

  function setField(name, value) {
    var el = field(name);
    if (el && el.tagName) {
      el.value = value;
    }
  }

  function isoSeconds(date) {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  function randomWords(n) {
    var out = new Uint32Array(n);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(out);
    } else {
      for (var i = 0; i < n; i++) {
        out[i] = Math.floor(Math.random() * 4294967296);
      }
    }
    return out;
  }

  function hex32(x) {
    return ("00000000" + (x >>> 0).toString(16)).slice(-8);
  }

  // MurmurHash3's 32-bit finaliser (Appleby): a bijection that spreads every input bit.
  function fmix32(h) {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
  }

  // Uniform numbers in [0, 1): a Weyl sequence passed through fmix32.
  function generator(seed) {
    var state = seed >>> 0;
    return function () {
      state = (state + 0x9e3779b9) >>> 0;
      return fmix32(state) / 4294967296;
    };
  }

  function shuffleBlocks(respondentSeed) {
    each(form.querySelectorAll("[data-ms-randomize]"), function (box) {
      var blockSeed = Number(box.getAttribute("data-ms-randomize")) >>> 0;
      var rand = generator(fmix32(blockSeed ^ fmix32(respondentSeed)));
      var rows = Array.prototype.slice.call(box.children);
      for (var i = rows.length - 1; i > 0; i--) {
        var j = Math.floor(rand() * (i + 1));
        var t = rows[i];
        rows[i] = rows[j];
        rows[j] = t;
      }
      var ids = [];
      rows.forEach(function (row) {
        box.appendChild(row); // moving the nodes keeps tab order and reading order = what is seen
        ids.push(row.getAttribute("data-ms-id"));
      });
      setField(box.getAttribute("data-ms-order"), ids.join(";"));
    });
  }

  function hardMultiple() {
    each(form.querySelectorAll("[data-ms-hard-multiple]"), function (group) {
      var boxes = group.querySelectorAll("input[type=checkbox]");
      function update() {
        var any = Array.prototype.some.call(boxes, function (b) {
          return b.checked;
        });
        boxes[0].setCustomValidity(any ? "" : config.ui.choose_one);
      }
      each(boxes, function (b) {
        b.addEventListener("change", update);
      });
      update();
    });
  }

  function answered(container) {
    var inputs = container.querySelectorAll("input");
    for (var i = 0; i < inputs.length; i++) {
      var el = inputs[i];
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) {
          return true;
        }
      } else if (el.value.trim() !== "") {
        return true;
      }
    }
    return false;
  }

  function unansweredSoft() {
    return Array.prototype.filter.call(
      form.querySelectorAll("[data-ms-required='soft']"),
      function (c) {
        return !answered(c);
      }
    );
  }

  function showSummary(missing) {
    var list = summary.querySelector("ul");
    list.textContent = "";
    summary.querySelector("[data-ms-count]").textContent = String(missing.length);
    missing.forEach(function (container) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      var text = container.querySelector(".ms-q-text");
      link.href = "#" + container.id;
      link.textContent = text ? text.textContent : container.id;
      link.addEventListener("click", function (ev) {
        ev.preventDefault();
        var first = container.querySelector("input");
        container.scrollIntoView({ block: "center" });
        if (first) {
          first.focus();
        }
      });
      li.appendChild(link);
      list.appendChild(li);
    });
    summary.hidden = false;
    summary.focus();
  }

  function columnValue(name) {
    var el = field(name);
    if (!el) {
      return "";
    }
    if (!el.tagName) {
      return el.value; // a radio group: the checked radio's code, "" when none is checked
    }
    if (el.type === "checkbox") {
      return el.checked ? "1" : "0";
    }
    if (el.type === "radio") {
      return el.checked ? el.value : "";
    }
    return el.value;
  }

  function csvCell(value) {
    var text = value === null || value === undefined ? "" : String(value);
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function downloadAnswers() {
    var header = config.columns.map(csvCell).join(",");
    var row = config.columns
      .map(function (name) {
        return csvCell(columnValue(name));
      })
      .join(",");
    var blob = new Blob([header + "\r\n" + row + "\r\n"], { type: "text/csv;charset=utf-8" });
    var who = String(columnValue(config.id_field) || generatedId)
      .replace(/[^A-Za-z0-9_-]+/g, "_")
      .slice(0, 64);
    var fileName = config.study + "_" + who + ".csv";
    var url = URL.createObjectURL(blob);
    var link = document.createElement("a");
    link.href = url;
    link.download = fileName;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
    window.setTimeout(function () {
      URL.revokeObjectURL(url);
    }, 60000);
    statusNode.textContent = config.ui.saved.replace("{file}", fileName);
    if (closing) {
      closing.hidden = false;
    }
  }

  form.addEventListener("submit", function (ev) {
    if (!softAccepted) {
      var missing = unansweredSoft();
      if (missing.length) {
        ev.preventDefault();
        showSummary(missing);
        return;
      }
    }
    softAccepted = false;
    summary.hidden = true;
    var now = new Date();
    setField("submitted", isoSeconds(now));
    setField("duration_s", String(Math.max(0, Math.round((now - startedAt) / 1000))));
    if (!config.submit) {
      ev.preventDefault();
      downloadAnswers();
    }
  });

  document.getElementById("ms-continue").addEventListener("click", function () {
    softAccepted = true;
    if (form.requestSubmit) {
      form.requestSubmit(submitButton);
    } else {
      submitButton.click();
    }
  });

  // Enter in a field would submit the whole questionnaire by accident.
  form.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && ev.target.tagName === "INPUT") {
      ev.preventDefault();
    }
  });

  var printButton = document.getElementById("ms-print");
  if (printButton && window.print) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () {
      window.print();
    });
  }

  var words = randomWords(3);
  var generatedId = hex32(words[0]) + hex32(words[1]);
  if (config.generate_id) {
    setField("respondent_id", generatedId);
  }
  setField("started", isoSeconds(startedAt));
  shuffleBlocks(words[2]);
  hardMultiple();
  document.documentElement.className += " ms-js";
})();
