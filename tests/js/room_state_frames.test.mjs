// The browser's reducer against the server's declared frames. Run by
// tests/meetings/room/test_frames.py, which writes one example of every frame
// meetings.room.frames declares to $FRAMES_JSON; `node --test` needs no npm package.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { EVENT_TYPES, reduce } from "../../static/js/room/state.js";

const declared = JSON.parse(readFileSync(process.env.FRAMES_JSON, "utf8"));

function undefinedPaths(value, path = "state") {
  if (value === undefined) return [path];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, inner]) => undefinedPaths(inner, `${path}.${key}`));
}

// The event, with a record of every field the reducer reads from it.
function watched(event, read) {
  return new Proxy(event, {
    get(target, key) {
      if (typeof key === "string") read.add(key);
      return target[key];
    },
  });
}

test("the reducer knows exactly the event types the server declares", () => {
  assert.deepEqual([...EVENT_TYPES].sort(), Object.keys(declared.event_fields).sort());
});

for (const event of declared.events) {
  test(`the reducer applies a declared ${event.type} event and reads only declared fields`, () => {
    const state = structuredClone(declared.state);
    delete state.type;
    const read = new Set();
    reduce(state, watched(event, read));
    assert.equal(state.seq, event.seq);
    const known = new Set(["type", "seq", ...declared.event_fields[event.type]]);
    assert.deepEqual([...read].filter((key) => !known.has(key)), []);
    assert.deepEqual(undefinedPaths(state), []);
  });
}

test("every private frame example carries a type the reducer leaves alone", () => {
  for (const frame of declared.private) {
    assert.ok(!EVENT_TYPES.includes(frame.type), frame.type);
  }
});
