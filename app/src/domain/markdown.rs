//! Postmortem sections are Markdown, written by people and read by everyone: rendered on the
//! server with pulldown-cmark, then sanitised with ammonia, so that no script, event handler,
//! style or `javascript:` link written into a section reaches a reader's browser.
use pulldown_cmark::{html, Options, Parser};

/// Safe HTML for `md`. Raw HTML in the source is passed to the sanitiser, which keeps only
/// harmless tags (and no attributes that run code); links keep http, https and mailto only,
/// and open with `rel="noopener noreferrer nofollow"`.
pub fn to_safe_html(md: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TASKLISTS);
    let mut raw = String::with_capacity(md.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(md, options));
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        // Task lists render as disabled checkboxes; nothing else needs an input.
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .clean(&raw)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders() {
        let h = to_safe_html("**Bold** and [docs](https://example.com/x)\n\n- one\n- two");
        assert!(h.contains("<strong>Bold</strong>"), "{h}");
        assert!(h.contains(r#"href="https://example.com/x""#), "{h}");
        assert!(h.contains("<li>one</li>"), "{h}");
    }

    /// Hostile inputs, many from public XSS cheat sheets: whatever survives must run nothing.
    #[test]
    fn nothing_hostile_survives() {
        let hostile = [
            "<script>alert(1)</script>",
            "<SCRIPT SRC=http://xss.example/xss.js></SCRIPT>",
            "<img src=x onerror=alert(1)>",
            "<IMG SRC=\"javascript:alert('XSS');\">",
            "<IMG SRC=JaVaScRiPt:alert('XSS')>",
            "<svg/onload=alert(1)>",
            "<body onload=alert(1)>",
            "<iframe src=\"javascript:alert(1)\"></iframe>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\"  JaVaScript:alert(1)\">x</a>",
            "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
            "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
            "[click](javascript:alert(1))",
            "[click](JAVASCRIPT:alert(1))",
            "[click](vbscript:msgbox(1))",
            "![x](javascript:alert(1))",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
            "<style>body{background:red}</style>",
            "<object data=\"javascript:alert(1)\"></object>",
            "<embed src=\"javascript:alert(1)\">",
            "<form action=\"javascript:alert(1)\"><button>x</button></form>",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "<details open ontoggle=alert(1)>",
            "<input autofocus onfocus=alert(1)>",
            "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
            "<base href=\"javascript:alert(1)//\">",
            "<<script>alert(1);//<</script>",
            "<a href=\"http://ok.example\" onclick=\"alert(1)\">ok</a>",
        ];
        for h in hostile {
            let out = to_safe_html(h);
            // Text is escaped (`&lt;script&gt;` is harmless words); what matters is the markup
            // that survives: every real tag, with its attributes.
            for tag in tags(&out) {
                let t = tag.to_ascii_lowercase();
                for bad in [
                    "<script",
                    "javascript:",
                    "vbscript:",
                    "data:",
                    " on",
                    "<iframe",
                    "<object",
                    "<embed",
                    "<style",
                    "style=",
                    "<form",
                    "<meta",
                    "<base",
                    "<svg",
                    "<math",
                ] {
                    assert!(
                        !t.contains(bad),
                        "{h:?} left {bad:?} in the tag {tag:?} of {out:?}"
                    );
                }
            }
        }
    }

    /// The tags of sanitised HTML (a `<` in text is always escaped, so each `<` opens a tag).
    fn tags(html: &str) -> Vec<&str> {
        html.match_indices('<')
            .map(|(i, _)| &html[i..i + html[i..].find('>').map_or(html.len() - i, |e| e + 1)])
            .collect()
    }

    #[test]
    fn links_do_not_leak_the_opener() {
        let h = to_safe_html("[a](https://example.com)");
        assert!(h.contains("noopener"), "{h}");
    }
}
