"""Writers of instrument binary files (BioLogic .mpr, Neware .nda/.ndax) for the reader tests.

Every file written here holds synthetic data and says so where the format has room for text.
"""
