// The room's limits (turn length, share length…) as the server declares them in
// meetings/room/limits.py. The page carries them in one json_script element,
// <script id="room-limits">; no script writes a limit of its own.

export const LIMITS = Object.freeze(JSON.parse(document.getElementById("room-limits").textContent));
