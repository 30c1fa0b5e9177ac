"""PodSecurityPolicy in the console: the PSP detail view with the pods each policy admitted
(`psp_detail`), the refused pods (`refused_screen`), the explain view with Pod Security
Admission's verdicts beside PSP's (`explain_screen`), how a row, an event or a manifest
leads to the pod to explain (`subjects`, no Textual), the `:explain` and `:refused` verbs
(`verbs`), the keys on the main screen (`keys`) and the header's note (`badges`).

The engine side is engine.security: `psp_active`, `admitted_pods`, `refused_pods`, `explain`.
"""
