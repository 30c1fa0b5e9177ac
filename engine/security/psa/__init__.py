"""Pod Security Admission: the Pod Security Standards checks and the PodSecurity plugin."""
