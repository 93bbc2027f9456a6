"""The main job: train, prove, anchor, publish, verify, on embedded defaults.

Each stage is built by its own issue. A stage that does not exist yet is reported as such, never
imitated: the summary written to the bundle says which stages ran and which are not built.
"""
