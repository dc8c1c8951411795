package partnerdesk

import "strings"

// Pages put the URLs that records and forms carry into links and images.
// A link must be an absolute http:// or https:// URL, so that no
// javascript: or data: URL reaches an href; an image must be https:// (the
// only remote images the pages' Content-Security-Policy loads) or a path on
// this site. Spaces, control characters and backslashes, which browsers
// strip or read as slashes, are refused anywhere in them. web/openapi.json
// states the same rules as patterns; a test checks that the two agree.

// IsLink reports whether v is an absolute http:// or https:// URL with a
// host.
func IsLink(v string) bool {
	rest, ok := strings.CutPrefix(v, "https://")
	if !ok {
		rest, ok = strings.CutPrefix(v, "http://")
	}
	return ok && hostFirst(rest) && plainURL(v)
}

// IsImageURL reports whether v is an absolute https:// URL with a host, or
// a path on this site.
func IsImageURL(v string) bool {
	if rest, ok := strings.CutPrefix(v, "https://"); ok {
		return hostFirst(rest) && plainURL(v)
	}
	// A browser reads "//host/…" as another site's.
	return strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//") && plainURL(v)
}

// hostFirst reports whether what follows a URL's "scheme://" starts with a
// host.
func hostFirst(rest string) bool {
	return rest != "" && !strings.ContainsRune("/?#", rune(rest[0]))
}

// plainURL reports whether v has no space, control character or backslash.
func plainURL(v string) bool {
	for i := range len(v) {
		if b := v[i]; b <= ' ' || b == 0x7f || b == '\\' {
			return false
		}
	}
	return true
}
