"""The production storage of static files: WhiteNoise's compressed manifest storage with
Django's rewriting of JavaScript module imports turned on.

The room's page loads ``js/room.js``, which imports ``./room/*.js`` by relative path.
Without ``support_js_module_import_aggregation`` Django fingerprints ``room.js`` but
leaves its imports unhashed, so after a deploy a browser could run the new ``room.js``
with the old modules it cached. With it on, every ``import … from "./x.js";`` in a
collected file names the hashed file, down the whole chain.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
