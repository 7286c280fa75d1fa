// Unsaved typing kept in this browser: what staff type in an article, block, source, risk
// figure or the clinic details is stored as they type (localStorage, one draft per page
// address), and offered back when the page is opened again with a draft that differs from it.
// A draft is removed once its form has been saved, or when staff discard it. Only these forms
// keep drafts: nothing about subscribers is ever stored.
(function () {
  "use strict";

  const FORMS = ["article_form", "block_form", "reference_form", "risk_form", "clinicdetails_form"];
  const PAGES = /\/(add|change)\/$/;
  const SAVE_DELAY_MS = 500;
  const DRAFT = "unsaved-changes:";
  // Set when a form is sent; read by the page that answers (in this tab only).
  const SENT = "unsaved-changes-sent";
  const SENT_FOR_MS = 5 * 60 * 1000;
  // The version of the saved text the form started from (see articles/editconflicts.py).
  const VERSION = "started_from";
  const KEPT =
    "textarea[name], select[name]:not([multiple]), input[name]:not([type]), " +
    "input[name][type=text], input[name][type=url], input[name][type=email], " +
    "input[name][type=number], input[name][type=tel]";

  function store(kind) {
    try {
      return window[kind];
    } catch (error) {
      return null; // storage switched off in this browser: nothing is kept
    }
  }

  function read(storage, key) {
    try {
      return JSON.parse(storage.getItem(key));
    } catch (error) {
      return null;
    }
  }

  function write(storage, key, value) {
    try {
      storage.setItem(key, JSON.stringify(value));
    } catch (error) {
      // Full, or switched off: typing goes on without a draft.
    }
  }

  function pageSaved() {
    return document.querySelector(".messagelist .success") && !document.querySelector(".errornote");
  }

  // The page that answers a sent form: saved (the admin says so), the draft has done its job.
  function forgetSentDraft(local, session) {
    const sent = read(session, SENT);
    if (!sent) {
      return;
    }
    session.removeItem(SENT);
    if (Date.now() - sent.at < SENT_FOR_MS && pageSaved()) {
      local.removeItem(sent.key);
    }
  }

  function fields(form) {
    return Array.from(form.querySelectorAll(KEPT)).filter(function (field) {
      return !field.disabled && !field.closest(".draft-notice");
    });
  }

  function valuesOf(form) {
    const values = {};
    fields(form).forEach(function (field) {
      values[field.name] = field.value;
    });
    return values;
  }

  function differs(draft, form) {
    const now = valuesOf(form);
    return Object.keys(draft.fields).some(function (name) {
      return name in now && now[name] !== draft.fields[name];
    });
  }

  function putBack(form, draft) {
    const version = form.elements.namedItem(VERSION);
    const apply = function () {
      fields(form).forEach(function (field) {
        if (field.name in draft.fields) {
          field.value = draft.fields[field.name];
        }
      });
    };
    apply();
    // The editor's preview and checks, and the admin's own scripts, follow the new text.
    fields(form).forEach(function (field) {
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.dispatchEvent(new Event("change", { bubbles: true }));
    });
    apply(); // a script may have filled a field from another (the address from the title)
    // The draft was typed over the version it started from: saving it is checked against
    // that version, so a change someone saved since is shown, not overwritten.
    if (version && draft.version) {
      version.value = draft.version;
    }
  }

  function when(time) {
    return new Date(time).toLocaleString(document.documentElement.lang || undefined, {
      dateStyle: "long",
      timeStyle: "short",
    });
  }

  function button(text, action) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = "button";
    element.textContent = text;
    element.addEventListener("click", action);
    return element;
  }

  function say(notice, text) {
    const message = document.createElement("p");
    message.tabIndex = -1;
    message.textContent = text;
    notice.replaceChildren(message);
    return message;
  }

  function offer(form, draft, key, local, resume) {
    const notice = document.createElement("div");
    notice.className = "draft-notice";
    notice.setAttribute("role", "status");
    form.prepend(notice);
    const decided = function (text) {
      say(notice, text).focus();
      resume();
    };
    // Filled once it is in the page, so that screen readers announce it.
    window.setTimeout(function () {
      say(
        notice,
        "You typed changes here on " +
          when(draft.saved) +
          " that were not saved. They are kept in this browser only."
      );
      notice.append(
        button("Restore unsaved changes", function () {
          putBack(form, draft);
          decided("Your unsaved changes are back in the form. Save to keep them.");
        }),
        " ",
        button("Discard", function () {
          local.removeItem(key);
          decided("The unsaved changes were discarded.");
        })
      );
    }, 100);
  }

  function start() {
    const local = store("localStorage");
    const session = store("sessionStorage");
    if (!local || !session) {
      return;
    }
    forgetSentDraft(local, session);
    const form = FORMS.map(function (id) {
      return document.getElementById(id);
    }).find(Boolean);
    if (!form || !PAGES.test(window.location.pathname)) {
      return;
    }
    const key = DRAFT + window.location.pathname;
    let timer = null;
    let paused = false;

    const save = function () {
      window.clearTimeout(timer);
      timer = null;
      if (paused) {
        return;
      }
      const version = form.elements.namedItem(VERSION);
      write(local, key, {
        saved: Date.now(),
        version: version ? version.value : "",
        fields: valuesOf(form),
      });
    };
    const typed = function (event) {
      if (event.target.closest(".draft-notice") || !event.target.matches(KEPT)) {
        return;
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(save, SAVE_DELAY_MS);
    };
    const flush = function () {
      if (timer !== null) {
        save();
      }
    };

    form.addEventListener("input", typed);
    form.addEventListener("change", typed);
    form.addEventListener("submit", function () {
      flush();
      write(session, SENT, { key: key, at: Date.now() });
    });
    window.addEventListener("pagehide", flush);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        flush();
      }
    });

    const draft = read(local, key);
    if (!draft || !draft.fields) {
      return;
    }
    if (differs(draft, form)) {
      // Until staff choose, typing does not replace the draft on offer.
      paused = true;
      offer(form, draft, key, local, function () {
        paused = false;
      });
    } else if (!document.querySelector(".errornote")) {
      // The form already holds it (a form sent back with a problem still needs it).
      local.removeItem(key);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
