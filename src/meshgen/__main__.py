from meshgen.cli import main

main()
