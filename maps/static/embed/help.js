/* /embed/help: the button that copies the <iframe> snippet (or selects it, where the
 * clipboard cannot be written). */

import { T } from "./config.js";
import { byId } from "./dom.js";

function selectSnippet() {
  window.getSelection().selectAllChildren(byId("wsz-snippet"));
}

function copySnippet() {
  var snippet = byId("wsz-snippet").textContent;
  var done = function () {
    byId("wsz-copy-status").textContent = T.help_copied;
  };
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(snippet).then(done, selectSnippet);
  } else {
    selectSnippet();
  }
}

byId("wsz-copy").addEventListener("click", copySnippet);
