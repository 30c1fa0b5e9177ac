"""PodPreset (settings.k8s.io/v1alpha1) as in its last release, 1.19."""
