# Test helpers: a failing comparison prints both sides, so `trailaudit test`
# shows what differed.
package trailaudit.lib.testing

equal(got, want) if got == want

equal(got, want) := false if {
	got != want
	print("got: ", got)
	print("want:", want)
}
