package trailaudit.lib.testing_test

import data.trailaudit.lib.testing

test_equal_is_true_only_for_equal_values if {
	testing.equal({"a": [1, 2]}, {"a": [1, 2]})
	testing.equal(1, 2) == false
	testing.equal({"a": 1}, {"a": 1, "b": 2}) == false
}
