"""PodSecurityPolicy (policy/v1beta1, extensions/v1beta1) as in its last release, 1.24."""
