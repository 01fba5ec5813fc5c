// Manage page: a "Copy" button next to each invite link (the input works without it).
for (const button of document.querySelectorAll("button[data-copy]")) {
  const input = document.getElementById(button.dataset.copy);
  if (!input || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(input.value);
      button.textContent = "Copied";
    } catch {
      input.select();
      button.textContent = "Press Ctrl+C to copy";
    }
  });
}

// Select the whole link when someone focuses the field, so it is easy to copy by hand.
for (const input of document.querySelectorAll("input.invite-url")) {
  input.addEventListener("focus", () => input.select());
}
