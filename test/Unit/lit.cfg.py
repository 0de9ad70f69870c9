# Runs Kiln's GoogleTest binaries through lit so every test counts once in
# one summary.
import os
import lit.formats

config.name = "KILN-Unit"
config.suffixes = []
config.test_source_root = config.kiln_unittest_dir
config.test_exec_root = config.kiln_unittest_dir
config.test_format = lit.formats.GoogleTest(".", "Tests")
