//! Guest memory: regions, checked access, the raw access layer.
