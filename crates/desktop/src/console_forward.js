// Injected into the webview before the UI's own scripts (initialization script of the main
// window): forwards console.{log,debug,info,warn,error,trace} plus uncaught errors and
// unhandled promise rejections to the Rust log through the log plugin (`plugin:log|log`), so
// the app's one log file tells the whole story. Target in the log: `webview`.
(function () {
  if (window.__SKILL_BUILDER_CONSOLE_FORWARD__) return;
  window.__SKILL_BUILDER_CONSOLE_FORWARD__ = true;
  // Levels of tauri-plugin-log: 1 trace, 2 debug, 3 info, 4 warn, 5 error.
  var LEVELS = { trace: 1, debug: 2, log: 3, info: 3, warn: 4, error: 5 };
  var MAX = 8000;
  function text(a) {
    if (typeof a === "string") return a;
    if (a instanceof Error) return a.stack || a.name + ": " + a.message;
    try {
      var s = JSON.stringify(a);
      return s === undefined ? String(a) : s;
    } catch (_) {
      return String(a);
    }
  }
  function send(level, location, args) {
    try {
      var internals = window.__TAURI_INTERNALS__;
      if (!internals || !internals.invoke) return;
      var message = Array.prototype.map.call(args, text).join(" ");
      if (message.length > MAX) message = message.slice(0, MAX) + "…";
      internals.invoke("plugin:log|log", { level: level, message: message, location: location }).catch(function () {});
    } catch (_) {
      // never let logging break the page
    }
  }
  Object.keys(LEVELS).forEach(function (name) {
    var original = console[name];
    if (typeof original !== "function") return;
    console[name] = function () {
      original.apply(console, arguments);
      send(LEVELS[name], "console." + name, arguments);
    };
  });
  window.addEventListener("error", function (e) {
    send(5, "window.onerror", [e.message + " (" + (e.filename || "?") + ":" + (e.lineno || 0) + ")"]);
  });
  window.addEventListener("unhandledrejection", function (e) {
    send(5, "unhandledrejection", [e.reason]);
  });
  window.addEventListener("DOMContentLoaded", function () {
    send(3, "lifecycle", ["page loaded: " + location.href + " title=" + JSON.stringify(document.title)]);
  });
})();
