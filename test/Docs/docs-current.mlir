// docs/ holds what ODS generates now: run `make docs` after changing a .td.
// RUN: diff %kiln_src_root/docs/KilnDialect.md %kiln_obj_root/docs/KilnDialect.md
// RUN: diff %kiln_src_root/docs/KilnConversionPasses.md %kiln_obj_root/docs/KilnConversionPasses.md
// RUN: diff %kiln_src_root/docs/KilnTransformsPasses.md %kiln_obj_root/docs/KilnTransformsPasses.md
