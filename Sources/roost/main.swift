import RoostCLI

RoostCLI.main()
