// Small enhancements shared by every page. Everything works without them.

function detectTimeZone() {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (const select of document.querySelectorAll("select[data-detect-time-zone]")) {
    if (select.value === "UTC" && zone && [...select.options].some((o) => o.value === zone)) {
      select.value = zone;
    }
  }
}

function focusFirstError() {
  const invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) invalid.focus();
}

detectTimeZone();
focusFirstError();
