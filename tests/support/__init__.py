"""What the tests (and bench/) build submissions and run notebooks with; not part of the product."""
