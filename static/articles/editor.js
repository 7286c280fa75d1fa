// The article editor: a preview framed as the public page, live writing checks, and pictures
// added with a button or by drag and drop, with refusals explained.
(function () {
  "use strict";

  const CHECK_DELAY_MS = 400;
  const UPLOAD_FAILED = "The picture could not be uploaded.";

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
    box.addEventListener("markdownx.fileUploadEnd", function () {
      clearRefusal(box);
    });
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

    function insertPicture(code) {
      const start = editor.selectionStart;
      editor.setRangeText(code, start, editor.selectionEnd, "end");
      editor.dispatchEvent(new Event("input", { bubbles: true }));
      // The description is selected, ready to be typed over.
      editor.focus();
      editor.setSelectionRange(start + code.indexOf("[") + 1, start + code.indexOf("]"));
    }
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
