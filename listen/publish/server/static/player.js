/*
 * listen: the two-line embed's loader. A classic script, so that
 *   <script src="https://listen.example.org/player.js" defer></script>
 *   <div data-listen-article="https://site.example/news/some-article"></div>
 * keeps working. The player itself is ES modules beside this file (player-core.js and the
 * modules it imports), loaded from wherever this script came from; they find that place again
 * through import.meta.url, since document.currentScript is null inside a module.
 * Pages that prefer modules can load player-core.js directly with <script type="module">.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script && script.src ? script.src : document.baseURI;
  import(new URL("player-core.js", base).href).catch(function (err) {
    console.error("listen: the player could not be loaded:", err);
  });
})();
