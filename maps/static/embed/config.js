/* The page's configuration: the JSON data block <script type="application/json"
 * id="wsz-config"> that the server writes into the page (never executed). Its texts are in
 * the page's language. */

export const cfg = JSON.parse(document.getElementById("wsz-config").textContent);

/** The page's texts by key (maps/embed.py EMBED_LABELS, in the page's language). */
export const T = cfg.labels;

/** How numbers are written: "1,2 km" in Dutch, "1.2 km" in English. */
export const locale = cfg.lang === "en" ? "en-GB" : "nl-NL";
