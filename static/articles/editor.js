// The article editor: a preview framed as the public page, live writing checks, menus that
// write blocks, boxes, links, drawings and risk figures into the text, and pictures added with a
// button or by drag and drop, with refusals explained.
(function () {
  "use strict";

  const CHECK_DELAY_MS = 400;
  const UPLOAD_FAILED = "The picture could not be uploaded.";
  const CHOICES_FAILED = "The list could not be loaded. Close this and try again.";
  const INDENT = "    ";
  // A line that starts a callout box, or a line of its text (indented by four spaces).
  const BOX_LINE = /^(?:!!! \w+| {4}\S)/;

  // Puts ``text`` in place of the editor's characters from ``start`` to ``end`` as if it had
  // been typed, so Ctrl+Z takes it back and the preview and checks hear an input event.
  function replaceText(editor, start, end, text) {
    editor.focus();
    editor.setSelectionRange(start, end);
    let typed = false;
    try {
      typed = document.execCommand("insertText", false, text);
    } catch (error) {
      typed = false;
    }
    if (!typed || editor.value.slice(start, start + text.length) !== text) {
      editor.setRangeText(text, start, end, "end");
      editor.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  // ``text`` on a line (or lines) of its own at ``start``..``end``, a blank line before and
  // after it, and the part ``select`` selected (else the cursor just after it).
  function insertOwnLines(editor, start, end, text, select) {
    const value = editor.value;
    while (start > 0 && " \t".includes(value[start - 1])) {
      start -= 1;
    }
    while (end < value.length && " \t".includes(value[end])) {
      end += 1;
    }
    const before = value.slice(0, start);
    const after = value.slice(end);
    let lead = "\n\n";
    if (!before || before.endsWith("\n\n")) {
      lead = "";
    } else if (before.endsWith("\n")) {
      lead = "\n";
    }
    let tail = "\n\n";
    if (!after || after.startsWith("\n\n")) {
      tail = "";
    } else if (after.startsWith("\n")) {
      tail = "\n";
    }
    replaceText(editor, start, end, lead + text + tail);
    selectIn(editor, start + lead.length, text, select);
  }

  // ``text`` at the cursor, within the line: a space before it if it would touch a word.
  function insertInline(editor, start, end, text, select) {
    const value = editor.value;
    const lead = start > 0 && /\S/.test(value[start - 1]) && value[start - 1] !== "(" ? " " : "";
    replaceText(editor, start, end, lead + text);
    selectIn(editor, start + lead.length, text, select);
  }

  function selectIn(editor, at, text, select) {
    const found = select ? text.indexOf(select) : -1;
    if (found === -1) {
      editor.setSelectionRange(at + text.length, at + text.length);
    } else {
      editor.setSelectionRange(at + found, at + found + select.length);
    }
    editor.focus();
  }

  function csrfToken(box) {
    const input = box.closest("form").querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(box, url, fields) {
    const data = new FormData();
    data.append("csrfmiddlewaretoken", csrfToken(box));
    Object.keys(fields).forEach(function (name) {
      data.append(name, fields[name]);
    });
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest" },
    });
  }

  // One way to say why a picture was refused, whichever way it was sent.
  function clearRefusal(box) {
    const note = box.querySelector(":scope > .errornote");
    if (note) {
      note.remove();
    }
  }

  function showRefusal(box, answer) {
    const messages = (answer && answer.image) || [UPLOAD_FAILED];
    clearRefusal(box);
    const note = document.createElement("p");
    note.className = "errornote";
    note.setAttribute("role", "alert");
    note.textContent = messages.join(" ");
    box.prepend(note);
  }

  function setText(element, text) {
    // Unchanged text is left alone, so the live region announces only what changed.
    if (element.textContent !== text) {
      element.textContent = text;
    }
  }

  // Pictures by drag and drop, sent by django-markdownx (which only logs a refusal).
  function explainDroppedPictures(box) {
    const editor = box.querySelector("textarea");
    box.addEventListener("markdownx.fileUploadError", function (event) {
      showRefusal(box, event.detail && event.detail[0]);
      // django-markdownx types "Invalid response" into the text right after this event.
      setTimeout(function () {
        editor.value = editor.value.replace("Invalid response", "");
      }, 0);
    });
    box.addEventListener("markdownx.fileUploadEnd", function (event) {
      clearRefusal(box);
      // django-markdownx types the picture where the cursor was, even in the middle of a
      // sentence: it goes on a line of its own instead.
      const code = event.detail && event.detail[0] && event.detail[0].image_code;
      const at = code ? editor.value.lastIndexOf(code) : -1;
      if (at !== -1) {
        insertOwnLines(editor, at, at + code.length, code, describeWords(code));
      }
    });
  }

  // The words of a picture's description, to be typed over.
  function describeWords(code) {
    return code.slice(code.indexOf("[") + 1, code.indexOf("]"));
  }

  function setUp(box) {
    const form = box.closest("form");
    const editor = box.querySelector("textarea");
    const frame = box.querySelector(".editor-frame");
    const frameUrl = frame.getAttribute("src");
    const title = form.querySelector("[name=title]");
    const summary = form.querySelector("[name=summary]");
    const status = box.querySelector(".editor-status");
    const list = box.querySelector(".editor-warnings");
    const numbers = {};
    box.querySelectorAll("[data-check]").forEach(function (element) {
      numbers[element.dataset.check] = element;
    });
    let html = null;
    let timer = null;
    let sent = null;
    let asked = 0;
    let shownWarnings = null;

    // The preview frame: the server's sanitised HTML, written into the site's own page markup.
    function frameDocument() {
      try {
        return frame.contentDocument;
      } catch (error) {
        return null;
      }
    }

    function paint() {
      const page = frameDocument();
      const prose = page && page.querySelector(".prose");
      if (!prose) {
        return;
      }
      if (html !== null) {
        prose.innerHTML = html;
      }
      const heading = title ? title.value : "";
      const lead = summary ? summary.value : "";
      setText(page.querySelector("h1"), heading);
      setText(page.querySelector(".lead"), lead);
      page.querySelector(".article-header").hidden = !heading && !lead;
    }

    frame.addEventListener("load", function () {
      const page = frameDocument();
      // A link followed inside the preview leaves it: bring the preview back.
      if (!page || page.location.pathname !== new URL(frameUrl, location.href).pathname) {
        frame.src = frameUrl;
        return;
      }
      paint();
    });
    [title, summary].forEach(function (field) {
      if (field) {
        field.addEventListener("input", paint);
      }
    });

    box.querySelectorAll(".editor-width").forEach(function (button) {
      button.addEventListener("click", function () {
        box.querySelectorAll(".editor-width").forEach(function (other) {
          other.setAttribute("aria-pressed", String(other === button));
        });
        frame.dataset.width = button.dataset.width;
      });
    });

    // The checks, asked for once the typing pauses; answers to older text are ignored.
    function showChecks(report) {
      html = report.html;
      paint();
      setText(numbers.grade, report.grade === null ? "–" : report.grade.toFixed(1));
      // SMOG is worked out from three sentences on; until then the panel says so.
      let smog = report.words ? "– (needs 3 sentences)" : "–";
      if (report.smog !== null) {
        smog = report.smog.toFixed(1);
      }
      setText(numbers.smog, smog);
      setText(numbers.words, String(report.words));
      const minutes = report.minutes === 1 ? "1 minute" : report.minutes + " minutes";
      setText(numbers.minutes, report.words ? "About " + minutes : "–");
      const key = JSON.stringify(report.warnings);
      if (key === shownWarnings) {
        return;
      }
      shownWarnings = key;
      const count = report.warnings.length;
      setText(
        status,
        count === 0
          ? "No problems found."
          : count === 1
            ? "1 thing to fix:"
            : count + " things to fix:",
      );
      list.replaceChildren(
        ...report.warnings.map(function (warning) {
          const item = document.createElement("li");
          item.textContent = warning;
          return item;
        }),
      );
    }

    function check() {
      const text = editor.value;
      if (text === sent) {
        return;
      }
      sent = text;
      const ticket = ++asked;
      post(box, box.dataset.checksUrl, { content: text })
        .then(function (response) {
          if (response.status === 400) {
            // The text cannot be turned into a page: the answer says why, in plain words.
            return response.json().then(function (refused) {
              return { refused: refused.content.join(" ") };
            });
          }
          if (!response.ok) {
            throw new Error(response.statusText);
          }
          return response.json();
        })
        .then(function (report) {
          if (ticket !== asked) {
            return;
          }
          if (report.refused) {
            shownWarnings = null;
            setText(status, "This text cannot be shown to patients yet:");
            const item = document.createElement("li");
            item.textContent = report.refused;
            list.replaceChildren(item);
            return;
          }
          showChecks(report);
        })
        .catch(function () {
          if (ticket === asked) {
            sent = null;
            shownWarnings = null;
            setText(status, "The checks could not be run just now. They will run again as you type.");
          }
        });
    }

    function scheduleCheck() {
      clearTimeout(timer);
      timer = setTimeout(check, CHECK_DELAY_MS);
    }

    // django-markdownx changes the text without an input event when it inserts a dropped picture
    // or indents lines; it sends a keyup then, which is heard here too.
    editor.addEventListener("input", scheduleCheck);
    editor.addEventListener("keyup", scheduleCheck);
    check();

    // django-markdownx makes Tab indent, which would trap keyboard users in the text box.
    box.addEventListener(
      "keydown",
      function (event) {
        if (event.target === editor && event.key === "Tab" && !event.ctrlKey && !event.metaKey) {
          event.stopPropagation();
        }
      },
      true,
    );

    // Pictures by the "Add a picture…" button, to the same upload address.
    const picker = box.querySelector(".editor-file");
    box.querySelector(".editor-pick").addEventListener("click", function () {
      picker.click();
    });
    picker.addEventListener("change", function () {
      const picture = picker.files[0];
      picker.value = "";
      if (!picture) {
        return;
      }
      post(box, editor.dataset.markdownxUploadUrlsPath, { image: picture })
        .then(function (response) {
          return response.json().catch(function () {
            return {};
          });
        })
        .then(function (answer) {
          if (answer.image_code) {
            clearRefusal(box);
            insertPicture(answer.image_code);
          } else {
            showRefusal(box, answer);
          }
        })
        .catch(function () {
          showRefusal(box, null);
        });
    });

    // The description is selected, ready to be typed over.
    function insertPicture(code) {
      const [start, end] = cursor();
      insertOwnLines(editor, start, end, code, describeWords(code));
    }

    // Where an insert goes: the cursor, or the end of a text not yet clicked into.
    let touched = false;
    editor.addEventListener("focus", function () {
      touched = true;
    });
    function cursor() {
      if (!touched) {
        return [editor.value.length, editor.value.length];
      }
      return [editor.selectionStart, editor.selectionEnd];
    }

    setUpMenus(box, editor, cursor);

    // In a callout box, Enter starts the next line of the box (indented, as the box needs);
    // Enter on an empty line of the box ends the box.
    editor.addEventListener("keydown", function (event) {
      const plain = !(event.shiftKey || event.ctrlKey || event.metaKey || event.altKey);
      if (event.key !== "Enter" || !plain || event.isComposing) {
        return;
      }
      const start = editor.selectionStart;
      if (start !== editor.selectionEnd) {
        return;
      }
      const value = editor.value;
      const lineStart = value.lastIndexOf("\n", start - 1) + 1;
      const lineEnd = value.indexOf("\n", start) === -1 ? value.length : value.indexOf("\n", start);
      const line = value.slice(lineStart, start);
      if (BOX_LINE.test(line)) {
        event.preventDefault();
        replaceText(editor, start, start, "\n" + INDENT);
      } else if (line === INDENT && lineEnd === start) {
        event.preventDefault();
        replaceText(editor, lineStart, start, "\n");
      }
    });
  }

  // The Insert menus: each button opens its panel (one at a time), whose list is asked for
  // afresh, so a block or risk added in another tab is there too.
  function setUpMenus(box, editor, cursor) {
    const openers = Array.from(box.querySelectorAll(".editor-open"));
    const inBlock = box.closest("form").id === "block_form";
    let loaded = null;

    function panelOf(opener) {
      return box.querySelector("#" + CSS.escape(opener.getAttribute("aria-controls")));
    }

    function close(opener, focusOpener) {
      opener.setAttribute("aria-expanded", "false");
      panelOf(opener).hidden = true;
      if (focusOpener) {
        opener.focus();
      }
    }

    function fill(panel, choices) {
      const select = panel.querySelector(".editor-choice");
      const list = choices ? choices[panel.dataset.choices] : null;
      const buttons = panel.querySelectorAll(".editor-insert-button");
      select.replaceChildren();
      let empty = "Loading…";
      if (choices === false) {
        empty = CHOICES_FAILED;
      } else if (list && !list.length) {
        empty = "There are none yet.";
      }
      if (!list || !list.length) {
        select.append(new Option(empty, ""));
      } else {
        list.forEach(function (choice, index) {
          select.append(new Option(choice.label, String(index)));
        });
      }
      // The list stays focusable (it says why there is nothing to insert); the buttons wait.
      buttons.forEach(function (button) {
        button.disabled = !list || !list.length;
      });
      panel.choices = list || [];
    }

    function open(opener) {
      openers.forEach(function (other) {
        if (other !== opener) {
          close(other, false);
        }
      });
      const panel = panelOf(opener);
      opener.setAttribute("aria-expanded", "true");
      panel.hidden = false;
      fill(panel, null);
      const asked = fetch(box.dataset.choicesUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.statusText);
          }
          return response.json();
        })
        .catch(function () {
          return false;
        });
      loaded = asked;
      asked.then(function (choices) {
        if (loaded === asked && !panel.hidden) {
          fill(panel, choices);
        }
      });
      panel.querySelector(".editor-choice").focus();
    }

    openers.forEach(function (opener) {
      const panel = panelOf(opener);
      // A block cannot include another block.
      if (inBlock && panel.dataset.choices === "blocks") {
        opener.hidden = true;
        return;
      }
      opener.addEventListener("click", function () {
        if (opener.getAttribute("aria-expanded") === "true") {
          close(opener, true);
        } else {
          open(opener);
        }
      });
      panel.addEventListener("keydown", function (event) {
        if (event.key === "Escape") {
          event.preventDefault();
          close(opener, true);
        }
      });
      panel.querySelector(".editor-close").addEventListener("click", function () {
        close(opener, true);
      });
      panel.querySelectorAll(".editor-insert-button").forEach(function (button) {
        button.addEventListener("click", function () {
          const select = panel.querySelector(".editor-choice");
          const choice = panel.choices[Number(select.value)];
          if (!choice) {
            return;
          }
          const text = choice[button.dataset.field];
          const [start, end] = cursor();
          close(opener, false);
          const place = "inline" in button.dataset ? insertInline : insertOwnLines;
          place(editor, start, end, text, choice.select);
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".markdownx").forEach(function (box) {
      explainDroppedPictures(box);
      if (box.classList.contains("editor")) {
        setUp(box);
      }
    });
  });
})();
